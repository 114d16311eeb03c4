"""The public booking journey's web layer (GOV.UK Design System): the journey declared as data (``steps``), its
views by section (``views``), its forms (``forms``), the accordion date picker (``picker``), a journey page's shared
reads in one round trip (``read_ahead``), the public rate limits (``ratelimit``), the counting of journeys for the
performance figures (``counting``), the URLs (``urls``, and ``prison_urls`` for a prison's public page) and the
templates. It calls the booking domain's one service per change (``visits``) and the waiting list's services; it
may use everything below the web layers, and never the staff console."""
