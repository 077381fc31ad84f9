from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("budgets/new/", views.fiscal_year_edit, name="fiscal_year_new"),
    path("budgets/<int:pk>/", views.fiscal_year, name="fiscal_year"),
    path("budgets/<int:pk>/edit/", views.fiscal_year_edit, name="fiscal_year_edit"),
    path("budgets/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("budgets/<int:pk>/spend/", views.spend, name="spend"),
    path("budgets/allocations/<int:pk>/release/", views.release, name="release"),
]
