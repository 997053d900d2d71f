app_name = "risksummits"

urlpatterns: list = []
