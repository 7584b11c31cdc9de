"""Agent console pages. Views parse and authorise; services do the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.conversations import selectors as conversation_selectors
from apps.conversations.models import Conversation
from apps.helpdesk import selectors, services


def _agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def check(user: Any) -> bool:
        if user.is_authenticated and not selectors.user_is_agent(user=user):
            raise PermissionDenied("Support agents only.")
        return user.is_authenticated

    # Agents need not be staff, so they sign in on the console's own login page, not the admin's.
    return login_required(
        user_passes_test(check, login_url="helpdesk:login")(view), login_url="helpdesk:login"
    )


@_agent_required
def console(request: HttpRequest) -> HttpResponse:
    queue = [
        conversation_selectors.queue_item_payload(conversation=c) for c in conversation_selectors.queue_list()
    ]
    recent = conversation_selectors.conversations_recent(limit=20)
    return render(request, "helpdesk/console.html", {"queue": queue, "recent": recent})


@_agent_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.select_related("agent"), pk=conversation_id)
    history = conversation_selectors.conversation_history(conversation=conversation, for_agent=True)
    return render(
        request,
        "helpdesk/conversation.html",
        {
            "conversation": conversation,
            "history": history,
            "item": conversation_selectors.queue_item_payload(conversation=conversation),
            "canned": selectors.canned_replies(),
            "mine": conversation.owner == Conversation.Owner.AGENT
            and conversation.agent_id == request.user.pk,
        },
    )


def _respond(request: HttpRequest, conversation_id: int, *, ok: bool, error: str = "") -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        # The conversation's state after the action, so the page is right even when its
        # websocket missed the push (e.g. it was still subscribing).
        conversation = Conversation.objects.get(pk=conversation_id)
        state = conversation_selectors.conversation_state_payload(conversation=conversation)
        return JsonResponse({"ok": ok, "error": error or None, "state": state}, status=200 if ok else 409)
    if not ok:
        messages.error(request, error)
    return redirect("helpdesk:conversation", conversation_id=conversation_id)


def _action(do: Callable[..., Any], *, with_text: bool = False) -> Callable[..., HttpResponse]:
    @_agent_required
    @require_POST
    def view(request: HttpRequest, conversation_id: int) -> HttpResponse:
        get_object_or_404(Conversation, pk=conversation_id)
        kwargs: dict[str, Any] = {"agent": request.user, "conversation_id": conversation_id}
        if with_text:
            kwargs["text"] = request.POST.get("text", "")
        try:
            do(**kwargs)
        except (services.OwnershipError, ValueError) as exc:
            return _respond(request, conversation_id, ok=False, error=str(exc))
        return _respond(request, conversation_id, ok=True)

    return view


claim = _action(services.agent_claim)
hand_back = _action(services.agent_hand_back)
resolve = _action(services.agent_resolve)
reply = _action(services.agent_reply, with_text=True)
note = _action(services.agent_note, with_text=True)
