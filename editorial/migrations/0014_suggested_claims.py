# Suggested claims: the quotations and reported statements found in each revision (issue #15).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('editorial', '0013_desk_sees_background_tasks'),
        ('sources', '0004_source_watch_and_capture'),
    ]

    operations = [
        migrations.CreateModel(
            name='SuggestedClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('speaker', models.CharField(help_text='Who said it, as the text names them (full name).', max_length=200)),
                ('speaker_description', models.CharField(blank=True, help_text='Who they are, when the text says: “chair of the union”.', max_length=300)),
                ('speaker_kind', models.CharField(choices=[('person', 'Person'), ('organisation', 'Organisation'), ('government', 'Government or official body'), ('other', 'Other')], default='person', help_text='What the speaker would be created as when no speaker of that name exists.', max_length=20)),
                ('excerpt', models.TextField(help_text='The passage exactly as printed in the revision.')),
                ('start', models.PositiveIntegerField(help_text='Offset of the first character (code points, from 0).')),
                ('end', models.PositiveIntegerField(help_text='Offset just after the last character (code points).')),
                ('kind', models.CharField(choices=[('direct', 'Direct quotation'), ('reported', 'Reported statement')], max_length=10)),
                ('confidence', models.FloatField(help_text='How sure the attributor is, from 0 to 1.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suggested_claims', to='sources.revision')),
            ],
            options={
                'ordering': ['revision', 'start', 'end'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='suggested_claim_end_after_start'), models.CheckConstraint(condition=models.Q(('kind__in', ['direct', 'reported'])), name='suggested_claim_kind_valid'), models.CheckConstraint(condition=models.Q(('confidence__gte', 0), ('confidence__lte', 1)), name='suggested_claim_confidence_range'), models.UniqueConstraint(fields=('revision', 'start', 'end', 'kind'), name='suggested_claim_unique_span')],
            },
        ),
    ]
