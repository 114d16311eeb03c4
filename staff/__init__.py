"""The staff console's web layer (MOJ Design System): sign-in (``signin``, ``session_lifetime``), the one access
decorator that checks sign-in, prison scope and permission (``access``), reads (``selectors``), forms, views by area
(``views``), URLs and templates, and the fake Notify's outbox page. It calls the booking domain's services
(``visits``), the staff accounts (``accounts``) and the figures (``performance``); it never uses the public
journey. Its Django app label is ``staff_console``: ``staff`` is the accounts app's."""
