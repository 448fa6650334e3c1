# A call's send-out, expanded by a Celery task (calls/services/sendouts.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0001_calls_answers_attachments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CallSendOut',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='personal message')),
                ('selection', models.JSONField(blank=True, default=dict)),
                ('state', models.CharField(choices=[('scheduled', 'Waiting to start'), ('sending', 'Sending'), ('done', 'Done'), ('stopped', 'Stopped: the call is closed or not published')], default='scheduled', max_length=10, verbose_name='state')),
                ('people_cursor', models.BigIntegerField(default=0, editable=False)),
                ('people_done', models.BooleanField(default=False, editable=False)),
                ('pasted_cursor', models.PositiveIntegerField(default=0, editable=False)),
                ('invited_count', models.PositiveIntegerField(default=0, verbose_name='invited')),
                ('already_invited_count', models.PositiveIntegerField(default=0, verbose_name='left out: already invited')),
                ('opted_out_count', models.PositiveIntegerField(default=0, verbose_name='left out: opted out')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                ('progressed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sendouts', to='calls.call', verbose_name='call for input')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'send-out',
                'verbose_name_plural': 'send-outs',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['state', 'created_at'], name='calls_calls_state_bbbd97_idx')],
            },
        ),
    ]
