from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from apps.training.models import TrainingRun
from apps.training.selectors import training_run_progress
from apps.training.services import training_run_create


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "phase", "progress_bar", "loss", "eta", "model_version", "created_at")
    list_filter = ("status",)
    readonly_fields = (
        "status", "phase", "params", "dataset_dir", "run_dir", "step", "total_steps", "loss", "eta_seconds",
        "peak_rss_mb", "model_version", "error", "log", "created_at", "started_at", "finished_at",
    )  # fmt: skip
    actions = ["run_again"]
    change_form_template = "admin/training/trainingrun/change_form.html"
    change_list_template = "admin/training/trainingrun/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs start from the "Start fine-tune" button, which queues the task

    @admin.display(description="progress")
    def progress_bar(self, run: TrainingRun) -> str:
        return format_html(
            '<progress max="1" value="{}"></progress> {}/{}', f"{run.progress:.3f}", run.step, run.total_steps
        )

    @admin.display(description="ETA")
    def eta(self, run: TrainingRun) -> str:
        if run.eta_seconds is None or run.status != TrainingRun.Status.RUNNING:
            return "-"
        minutes, seconds = divmod(int(run.eta_seconds), 60)
        return f"{minutes}m{seconds:02d}s"

    def get_urls(self):  # type: ignore[no-untyped-def]
        urls = [
            path("start/", self.admin_site.admin_view(self.start_view), name="training_trainingrun_start"),
            path(
                "<int:run_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="training_trainingrun_progress",
            ),
        ]
        return urls + super().get_urls()

    def progress_view(self, request: HttpRequest, run_id: int) -> JsonResponse:
        if not self.has_view_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse(training_run_progress(run=get_object_or_404(TrainingRun, pk=run_id)))

    def start_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._start)(request)

    def _start(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        tiny = request.POST.get("tiny") == "on"
        params: dict[str, object] = {"tiny": tiny, "config": {}, "seed": 1234, "limit": 48 if tiny else 0}
        steps = request.POST.get("steps", "").strip()
        if steps:
            if not steps.isdigit() or not 1 <= int(steps) <= 100_000:
                self.message_user(
                    request, "Steps must be a whole number from 1 to 100000.", level=messages.ERROR
                )
                return HttpResponseRedirect(reverse("admin:training_trainingrun_changelist"))
            params["config"] = {"steps": int(steps)}
        run = training_run_create(params=params)
        self.message_user(request, f"Training run {run.pk} queued on the training worker.")
        return HttpResponseRedirect(reverse("admin:training_trainingrun_change", args=[run.pk]))

    @admin.action(description="Start a new run with the same parameters")
    def run_again(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        for run in queryset:
            new = training_run_create(params=run.params)
            self.message_user(request, f"Training run {new.pk} queued.")
