"""Seal identity fields and narrative texts at rest under the cell keys (ADR 0019)."""

import casus.privacy.fields
from casus.privacy.migration import open_existing, seal_existing
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_default_life_domains'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assessment',
            name='summary',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='assessment in your own words'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='goal',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='assessment.case.cell_id', verbose_name='goal'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='needs',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='assessment.case.cell_id', verbose_name='needs'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='observed_signals',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='assessment.case.cell_id', verbose_name='observed signals'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='protective_factors',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='assessment.case.cell_id', verbose_name='protective factors'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='risk_factors',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='assessment.case.cell_id', verbose_name='risk factors'),
        ),
        migrations.AlterField(
            model_name='assessmentdomain',
            name='signal_source',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='assessment.case.cell_id', max_length=200, verbose_name='source of the signals'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='description',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='case.cell_id', max_length=300, verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='filename',
            field=casus.privacy.fields.EncryptedCharField(cell='case.cell_id', max_length=160, verbose_name='file name'),
        ),
        migrations.AlterField(
            model_name='case',
            name='evaluation',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name='evaluation'),
        ),
        migrations.AlterField(
            model_name='case',
            name='subject_birth_date',
            field=casus.privacy.fields.EncryptedDateField(blank=True, cell='cell_id', null=True, verbose_name='birth date'),
        ),
        migrations.AlterField(
            model_name='case',
            name='subject_family_name',
            field=casus.privacy.fields.EncryptedCharField(cell='cell_id', max_length=120, verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='case',
            name='subject_given_names',
            field=casus.privacy.fields.EncryptedCharField(cell='cell_id', max_length=160, verbose_name='given names'),
        ),
        migrations.AlterField(
            model_name='case',
            name='summary',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='externalinstrument',
            name='conclusion',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='overall conclusion'),
        ),
        migrations.AlterField(
            model_name='goal',
            name='text',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='goal'),
        ),
        migrations.AlterField(
            model_name='handover',
            name='subject_birth_date',
            field=casus.privacy.fields.EncryptedDateField(blank=True, cell='to_cell_id', null=True, verbose_name='birth date'),
        ),
        migrations.AlterField(
            model_name='handover',
            name='subject_family_name',
            field=casus.privacy.fields.EncryptedCharField(cell='to_cell_id', max_length=120, verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='handover',
            name='subject_given_names',
            field=casus.privacy.fields.EncryptedCharField(cell='to_cell_id', max_length=160, verbose_name='given names'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='text',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='text'),
        ),
        migrations.AlterField(
            model_name='journalrevision',
            name='text',
            field=casus.privacy.fields.EncryptedTextField(cell='entry.case.cell_id'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='reason',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='why this organisation takes part'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='revoke_reason',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='case.cell_id', verbose_name='why it stops'),
        ),
        migrations.AlterField(
            model_name='pathwayaction',
            name='description',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='review',
            name='notes',
            field=casus.privacy.fields.EncryptedTextField(cell='case.cell_id', verbose_name='review'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='concern',
            field=casus.privacy.fields.EncryptedTextField(cell='cell_id', verbose_name='why it worries'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='coordinator_opinion',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name="coordinator's opinion"),
        ),
        migrations.AlterField(
            model_name='signal',
            name='decision_note',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name='decision note'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='observed_behaviour',
            field=casus.privacy.fields.EncryptedTextField(cell='cell_id', verbose_name='observed behaviour'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='officer_opinion',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name="information officer's opinion"),
        ),
        migrations.AlterField(
            model_name='signal',
            name='referral',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name='referral to regular services'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='screening_summary',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='cell_id', verbose_name='screening summary'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='source_description',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='cell_id', max_length=200, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='subject_birth_date',
            field=casus.privacy.fields.EncryptedDateField(blank=True, cell='cell_id', null=True, verbose_name='birth date'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='subject_family_name',
            field=casus.privacy.fields.EncryptedCharField(cell='cell_id', max_length=120, verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='signal',
            name='subject_given_names',
            field=casus.privacy.fields.EncryptedCharField(cell='cell_id', max_length=160, verbose_name='given names'),
        ),
        migrations.RunPython(
            seal_existing('cases', ['Signal', 'Case', 'Participation', 'JournalEntry', 'JournalRevision', 'Attachment', 'Handover', 'Assessment', 'AssessmentDomain', 'ExternalInstrument', 'Goal', 'PathwayAction', 'Review']),
            open_existing('cases', ['Signal', 'Case', 'Participation', 'JournalEntry', 'JournalRevision', 'Attachment', 'Handover', 'Assessment', 'AssessmentDomain', 'ExternalInstrument', 'Goal', 'PathwayAction', 'Review']),
        ),
    ]
