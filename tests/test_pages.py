from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "crisis", "matching:how_we_rank"])
def test_every_page_shows_the_crisis_line(client: Client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'In crisis? Call or text <a href="tel:988">988</a>' in response.text
    assert "Responder peer line" in response.text


@pytest.mark.django_db
def test_pages_load_scripts_and_styles_only_from_our_own_static_files(client: Client) -> None:
    page = client.get(reverse("home")).text
    # No inline script or style attribute, so a strict Content-Security-Policy can be switched on.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert "style=" not in page
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert loaded, "the page loads its stylesheet and scripts"
    assert all(url.startswith("/static/") for url in loaded), loaded


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client: Client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.text == "ok"


@pytest.mark.django_db
def test_healthz_refuses_a_post(client: Client) -> None:
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_a_missing_page_keeps_the_layout_and_the_crisis_line(client: Client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert "In crisis? Call or text" in response.text


@pytest.mark.django_db
def test_a_refused_page_keeps_the_layout_and_the_crisis_line(client: Client) -> None:
    from tests.factories import ResponderFactory

    client.force_login(ResponderFactory().user)
    response = client.get(reverse("profiles:editor"))
    assert response.status_code == 403
    assert "This page is not for your account" in response.text
    assert "In crisis? Call or text" in response.text


def test_the_server_error_page_renders_without_a_request() -> None:
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and "988" in page
