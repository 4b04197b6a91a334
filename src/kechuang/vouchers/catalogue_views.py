"""The public catalogue of voucher services and instruments (创新地图). Placeholder until the area is built."""

from django.shortcuts import render


def catalogue(request):
    return render(request, "vouchers/catalogue.html", {})
