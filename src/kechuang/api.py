from ninja import NinjaAPI

from kechuang.core.api import API_AUTH, install_error_handlers
from kechuang.enterprises.annual_api import router as annual_router
from kechuang.enterprises.assessment_api import router as assessment_router
from kechuang.enterprises.enterprise_list_api import router as enterprise_list_router
from kechuang.enterprises.liaison_api import router as liaison_router
from kechuang.enterprises.qualification_api import router as qualification_router
from kechuang.enterprises.reserve_api import router as reserve_router
from kechuang.market.contract_api import router as market_contract_router
from kechuang.market.event_api import router as market_event_router
from kechuang.market.listing_api import router as market_listing_router
from kechuang.market.match_api import router as market_match_router
from kechuang.market.search_api import router as market_search_router
from kechuang.market.thread_api import router as market_thread_router
from kechuang.organizations.api import router as organizations_router
from kechuang.projects.api import router as projects_router
from kechuang.regions.api import router as regions_router
from kechuang.reviews.api import router as reviews_router
from kechuang.vouchers.api import router as vouchers_router

api = NinjaAPI(
    title="科创 Kechuang API",
    version="1",
    description="JSON API of the Kechuang platform. Session (browser) or Bearer token authentication; "
    "the same permissions as the pages.",
    auth=API_AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/regions", regions_router)
api.add_router("/organizations", organizations_router)
api.add_router("/", projects_router)
api.add_router("/", reviews_router)
api.add_router("/enterprises", enterprise_list_router)
api.add_router("/enterprises", annual_router)
api.add_router("/enterprises", assessment_router)
api.add_router("/enterprises", qualification_router)
api.add_router("/enterprises/reserve", reserve_router)
api.add_router("/enterprises/liaison", liaison_router)
api.add_router("/market", market_listing_router)
api.add_router("/market", market_search_router)
api.add_router("/market", market_match_router)
api.add_router("/market", market_thread_router)
api.add_router("/market", market_event_router)
api.add_router("/market", market_contract_router)
api.add_router("/vouchers", vouchers_router)
