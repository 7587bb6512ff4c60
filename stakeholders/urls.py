app_name = "stakeholders"
urlpatterns: list = []
