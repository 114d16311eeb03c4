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
