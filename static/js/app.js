// Progressive enhancement for the service's own components. Every page works without this file.
(function () {
  'use strict'
  // The prison chooser: an accessible autocomplete over the plain <select> that works without JavaScript.
  var prisonSelect = document.querySelector('[data-module="app-prison-autocomplete"]')
  if (prisonSelect && window.accessibleAutocomplete) {
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: prisonSelect,
      defaultValue: '',
      showAllValues: true,
      dropdownArrow: function () { return '' }
    })
  }
})()
;(function () {
  'use strict'
  // "Print this page": a link that prints. Without JavaScript the browser's own print still works.
  document.querySelectorAll('[data-module="app-print"]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault()
      window.print()
    })
  })
})()
