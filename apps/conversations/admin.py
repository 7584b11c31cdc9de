from django.contrib import admin

from apps.conversations.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "role", "text", "reply_state", "author"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    # Read-only here: ownership changes go through the console's services, never a raw edit.
    list_display = ["id", "owner", "agent", "intent", "escalation_reason", "csat", "updated_at"]
    list_filter = ["owner", "intent", "csat"]
    search_fields = ["customer_email", "contact_email", "messages__text"]
    readonly_fields = [
        "token",
        "owner",
        "agent",
        "state",
        "customer_email",
        "customer_external_id",
        "contact_email",
        "intent",
        "escalation_reason",
        "escalated_at",
        "csat",
        "created_at",
        "updated_at",
    ]
    inlines = [MessageInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
