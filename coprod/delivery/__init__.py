"""Delivery people can see: each funded remedy's stages, dates, money, updates and case study."""

from flask import Blueprint

bp = Blueprint("delivery", __name__)

from coprod.delivery import models, routes  # noqa: E402,F401
