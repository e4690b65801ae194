import pytest

from sandbox.engine import DEFAULT_COLOR, parse_color


@pytest.mark.parametrize(("text", "rgb"), [
    ("#ffffff", (255, 255, 255)), ("#000", (0, 0, 0)), ("#3A7", (51, 170, 119)), ("3366cc", (51, 102, 204)),
    (" #112233 ", (17, 34, 51)), ("Navy", (0, 0, 128)), ("light grey", (211, 211, 211)),
    ("rgb(10,20,30)", (10, 20, 30)),
])
def test_parse_color(text, rgb):
    assert parse_color(text) == rgb


@pytest.mark.parametrize("text", ["", "#12", "#1234", "#gggggg", "chartreuse-ish", "rgb(1,2)", "rgb(256,0,0)", None, 7])
def test_unparseable_falls_back(text):
    assert parse_color(text) == DEFAULT_COLOR == (255, 255, 255)
