"""Seal identity fields and narrative texts at rest under the cell keys (ADR 0019)."""

import casus.privacy.fields
from casus.privacy.migration import open_existing, seal_existing
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agendaitem',
            name='minutes',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='meeting.cell_id', verbose_name='minutes'),
        ),
        migrations.AlterField(
            model_name='agendaitem',
            name='title',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='meeting.cell_id', max_length=200, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='text',
            field=casus.privacy.fields.EncryptedTextField(cell='item.meeting.cell_id', verbose_name='decision'),
        ),
        migrations.AlterField(
            model_name='exchangeentry',
            name='reference',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='cell_id', help_text='e.g. a PV or RIR number', max_length=80, verbose_name='reference'),
        ),
        migrations.AlterField(
            model_name='exchangeentry',
            name='subject',
            field=casus.privacy.fields.EncryptedCharField(blank=True, cell='cell_id', max_length=300, verbose_name='what was exchanged (in a few words)'),
        ),
        migrations.AlterField(
            model_name='feedbacksheet',
            name='cell_assessment',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='item.meeting.cell_id', verbose_name="the cell's assessment"),
        ),
        migrations.AlterField(
            model_name='feedbacksheet',
            name='measures',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='item.meeting.cell_id', verbose_name='measures taken or proposed'),
        ),
        migrations.AlterField(
            model_name='feedbacksheet',
            name='reason',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='item.meeting.cell_id', verbose_name='why the cell gives feedback'),
        ),
        migrations.AlterField(
            model_name='feedbacksheet',
            name='request',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='item.meeting.cell_id', verbose_name='what the cell asks the recipient'),
        ),
        migrations.AlterField(
            model_name='feedbackvote',
            name='reason',
            field=casus.privacy.fields.EncryptedTextField(blank=True, cell='sheet.item.meeting.cell_id', verbose_name='reason'),
        ),
        migrations.RunPython(
            seal_existing('meetings', ['AgendaItem', 'Decision', 'FeedbackSheet', 'FeedbackVote', 'ExchangeEntry']),
            open_existing('meetings', ['AgendaItem', 'Decision', 'FeedbackSheet', 'FeedbackVote', 'ExchangeEntry']),
        ),
    ]
