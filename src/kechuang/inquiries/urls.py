from django.urls import include, path

app_name = "inquiries"

urlpatterns = [
    path("", include("kechuang.inquiries.inquiry_urls")),  # the letters: submit, follow, answer, figures
]
