from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

app_name = "matching"

urlpatterns = [
    path(
        "how-we-rank/",
        TemplateView.as_view(template_name="matching/how_we_rank.html"),
        name="how_we_rank",
    ),
]
