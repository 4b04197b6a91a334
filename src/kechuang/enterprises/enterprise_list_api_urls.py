"""A URLconf that serves the enterprise list API before kechuang/api.py mounts its router.

Used by the benchmark and the tests only while `/api/enterprises` does not resolve to the list; the rest of the
site is served as usual. Import it only then: a ninja router belongs to one API.
"""

from django.urls import path
from ninja import NinjaAPI

from kechuang.core.api import API_AUTH, install_error_handlers
from kechuang.urls import urlpatterns as site_urlpatterns

from .enterprise_list_api import router

api = NinjaAPI(title="enterprise list", auth=API_AUTH, urls_namespace="enterprise_list_api")
install_error_handlers(api)
api.add_router("/enterprises", router)

urlpatterns = [path("api/", api.urls), *site_urlpatterns]
