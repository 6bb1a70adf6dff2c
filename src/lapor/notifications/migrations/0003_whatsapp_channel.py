# WhatsApp: the outbox channel, the 24-hour window per number, the ids of sent messages.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outbox_fanout_channel'),
        ('reports', '0010_report_search_text'),
    ]

    operations = [
        migrations.CreateModel(
            name='WhatsAppContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone', models.CharField(max_length=16, unique=True)),
                ('last_inbound_at', models.DateTimeField()),
            ],
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='channel',
            field=models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS'), ('web', 'Notifikasi web'), ('webhook', 'Webhook'), ('whatsapp', 'WhatsApp'), ('fanout', 'Sebaran notifikasi')], max_length=10),
        ),
        migrations.CreateModel(
            name='WhatsAppSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wamid', models.CharField(max_length=255, unique=True)),
                ('phone', models.CharField(max_length=16)),
                ('delivery_id', models.UUIDField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reports.report')),
            ],
        ),
    ]
