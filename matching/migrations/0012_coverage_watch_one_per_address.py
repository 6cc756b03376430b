"""One coverage watch per address and state, known by a keyed hash of the address."""

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def key_and_deduplicate(apps, schema_editor):
    """Give each kept address its key; of one address given twice for a state, keep one."""
    CoverageWatch = apps.get_model("matching", "CoverageWatch")
    seen = set()
    for watch in CoverageWatch.objects.order_by("created_at", "pk"):
        key = salted_hmac(
            "rapport.coverage-watch", watch.email.strip().lower(), algorithm="sha256"
        ).hexdigest()
        if (watch.state, key) in seen:
            watch.delete()
            continue
        seen.add((watch.state, key))
        CoverageWatch.objects.filter(pk=watch.pk).update(email_key=key)


class Migration(migrations.Migration):
    dependencies = [("matching", "0011_intro_snapshot")]

    operations = [
        migrations.AddField(
            model_name="coveragewatch",
            name="email_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(key_and_deduplicate, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="coveragewatch",
            constraint=models.UniqueConstraint(
                fields=("state", "email_key"), name="coverage_watch_one_per_address_and_state"
            ),
        ),
    ]
