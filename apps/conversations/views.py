"""Public pages: the demo shop that embeds the widget, and the pages citations link to."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.catalog.models import Product, Store


def shop_demo(request: HttpRequest) -> HttpResponse:
    """A stand-in store front: any site embeds the widget with the same one script tag."""
    customer_token = ""
    signed_in = request.GET.get("signed_in", "")
    if settings.DEBUG and signed_in:
        # Demo only: play a signed-in shopper the way a store's backend would sign one.
        from apps.orders.identity import customer_token_sign

        customer_token = customer_token_sign(email=signed_in, external_id=signed_in)
    return render(
        request,
        "shop.html",
        {
            "store": Store.current(),
            "products": Product.objects.order_by("name")[:12],
            "customer_token": customer_token,
            "signed_in": signed_in if customer_token else "",
        },
    )


def knowledge_page(request: HttpRequest, kind: str, external_id: str) -> HttpResponse:
    """Where a citation link in the widget points: the FAQ, policy or product it cites."""
    title, body = _knowledge_lookup(kind, external_id)
    return render(request, "kb.html", {"kind": kind, "title": title, "body": body})


def _knowledge_lookup(kind: str, external_id: str) -> tuple[str, str]:
    if kind == "product":
        product = Product.objects.filter(external_id=external_id).first()
        if product:
            return product.name, product.description
    elif kind in ("faq", "policy"):
        from apps.knowledge import models as knowledge

        model = knowledge.FAQ if kind == "faq" else knowledge.Policy
        obj = model.objects.filter(external_id=external_id).first()
        if obj is not None:
            title = getattr(obj, "question", "") or getattr(obj, "title", "") or external_id
            body = getattr(obj, "answer", "") or getattr(obj, "text", "") or getattr(obj, "body", "")
            return str(title), str(body)
    raise Http404("Not found")
