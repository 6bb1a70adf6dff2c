"""Reports count their supporters ("Dukung") themselves: the public API, staff pages and analytics
read the count without knowing the web app's Support rows. Filled from those rows once."""
from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Support = apps.get_model("web", "Support")
    for row in Support.objects.values("report_id").annotate(n=Count("id")).iterator():
        Report.objects.filter(pk=row["report_id"]).update(support_count=row["n"])


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0012_whatsapp_channel"),
        ("web", "0002_answer_template"),
    ]

    operations = [
        migrations.AddField(model_name="report", name="support_count",
                            field=models.PositiveIntegerField(default=0, db_default=0)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
