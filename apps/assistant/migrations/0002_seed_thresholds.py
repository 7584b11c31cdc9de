"""Seed one threshold row per intent (defaults frozen here so later edits of the code do not move them)."""

from django.db import migrations

SEED = {
    "order_status": 0.45,
    "cancel_order": 0.5,
    "return_refund": 0.45,
    "exchange_size": 0.45,
    "size_availability_or_fit": 0.45,
    "shipping_delivery": 0.4,
    "payment_billing": 0.4,
    "account": 0.4,
    "complaint_or_human": 0.0,
    "product_question": 0.4,
    "greeting": 0.3,
    "out_of_scope": 0.0,
}


def seed(apps, schema_editor):
    model = apps.get_model("assistant", "IntentThreshold")
    for intent, threshold in SEED.items():
        model.objects.get_or_create(intent=intent, defaults={"threshold": threshold})


def unseed(apps, schema_editor):
    apps.get_model("assistant", "IntentThreshold").objects.filter(intent__in=list(SEED)).delete()


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
