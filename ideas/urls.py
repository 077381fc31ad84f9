app_name = "ideas"

urlpatterns: list = []
