from django.urls import path

from ideas import moderation_views, views

app_name = "ideas"

urlpatterns = [
    path("ideas/", views.board, name="board"),
    path("ideas/new/", views.idea_new, name="new"),
    path("ideas/similar/", views.similar, name="similar"),
    path("ideas/export.csv", views.export_csv, name="export"),
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="edit"),
    path("ideas/<int:pk>/support/", views.support, name="support"),
    path("ideas/<int:pk>/follow/", views.follow, name="follow"),
    path("ideas/<int:pk>/comments/", views.comments, name="comments"),
    path("ideas/<int:pk>/transition/", views.transition, name="transition"),
    path("ideas/<int:pk>/owner/", views.set_owner, name="owner"),
    path("ideas/<int:pk>/merge/", views.merge, name="merge"),
    path("ideas/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("ideas/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("ideas/<int:pk>/confirm-type/", views.confirm_type, name="confirm_type"),
    path("ideas/<int:pk>/expected-value/", views.expected_value, name="expected_value"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("ideas/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("ideas/<int:pk>/flag/", moderation_views.flag_idea, name="flag"),
    path("ideas/comments/<int:pk>/flag/", moderation_views.flag_comment, name="comment_flag"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_form, name="campaign_new"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/edit/", views.campaign_form, name="campaign_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
