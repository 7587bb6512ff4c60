from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def invitation_accept(request, token):
    return HttpResponse("")
