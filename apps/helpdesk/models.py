"""Agent tools: canned replies (notes are conversation messages with role "note")."""

from __future__ import annotations

from django.db import models


class CannedReply(models.Model):
    title = models.CharField(max_length=100, unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self) -> str:
        return self.title
