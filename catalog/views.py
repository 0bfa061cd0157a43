from django.shortcuts import render


def opac(request):
    return render(request, "catalog/opac.html", {})
