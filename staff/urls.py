from django.urls import path

from staff.views import account, booking, console, pause, timetable

app_name = "staff"

urlpatterns = [
    path("", account.home, name="home"),
    path("sign-in", account.sign_in, name="sign-in"),
    path("sign-out", account.sign_out, name="sign-out"),
    # Everything below is for one prison the user covers: staff.access.staff_view checks that, and the role.
    path("<slug:prison>/", console.today, name="today"),
    path("<slug:prison>/visits", console.visits_by_date, name="visits"),
    path("<slug:prison>/visits/<str:reference>", console.visit_detail, name="visit"),
    path("<slug:prison>/visits/<str:reference>/cancel", console.visit_cancel_view, name="visit-cancel"),
    path("<slug:prison>/visits/<str:reference>/change", console.visit_change_view, name="visit-change"),
    path("<slug:prison>/visits/<str:reference>/attendance", console.visit_attendance, name="visit-attendance"),
    path("<slug:prison>/visits/<str:reference>/keep", console.flag_keep, name="visit-keep"),
    path("<slug:prison>/book", booking.find_prisoner, name="book"),
    path("<slug:prison>/book/details", booking.book_details, name="book-details"),
    path("<slug:prison>/requests", console.request_list, name="requests"),
    path("<slug:prison>/requests/<str:reference>", console.request_process, name="request"),
    path("<slug:prison>/flagged", console.flag_list, name="flagged"),
    path("<slug:prison>/not-in-nomis", console.unsynced, name="unsynced"),
    path("<slug:prison>/to-check-in-nomis", console.nomis_checks_list, name="nomis-checks"),
    path("<slug:prison>/cancellations", console.cancellations, name="cancellations"),
    path("<slug:prison>/cancellations/<str:reference>/seen", console.cancellation_seen, name="cancellation-seen"),
    path("<slug:prison>/blocks", timetable.block, name="blocks"),
    path("<slug:prison>/blocks/<int:block_id>/unblock", timetable.unblock, name="unblock"),
    path("<slug:prison>/timetable", timetable.timetable, name="timetable"),
    path("<slug:prison>/timetable/add", timetable.template_edit, name="template-add"),
    path("<slug:prison>/timetable/settings", timetable.prison_settings, name="timetable-settings"),
    path("<slug:prison>/timetable/<int:template_id>", timetable.template_edit, name="template"),
    path("<slug:prison>/sheet", console.visit_sheet, name="sheet"),
    path("<slug:prison>/search", console.search, name="search"),
    path("<slug:prison>/performance", console.performance, name="performance"),
    path("<slug:prison>/pause-booking", pause.booking_pause_view, name="booking-pause"),
]
