"""The site's URLs plus the self-assessment API, for as long as kechuang/api.py does not mount it yet.

test_assessment_pages.py uses this urlconf only when /api/enterprises/<pk>/assessment does not resolve to the
router (once the lead mounts it, the tests run against the real API).
"""

from django.urls import path
from ninja import NinjaAPI

from kechuang.core.api import API_AUTH, install_error_handlers
from kechuang.enterprises.assessment_api import router
from kechuang.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(
    title="assessment (test mount)", version="test", auth=API_AUTH, urls_namespace="assessment_api_test"
)
install_error_handlers(api)
api.add_router("/enterprises", router)

urlpatterns = [path("api/", api.urls), *site_urlpatterns]
