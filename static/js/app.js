// Progressive enhancement for the service's own components. Every page works without this file.
(function () {
  'use strict'
  // The prison chooser: an accessible autocomplete over the plain <select> that works without JavaScript.
  var prisonSelect = document.querySelector('[data-module="app-prison-autocomplete"]')
  if (prisonSelect && window.accessibleAutocomplete) {
    // What it says comes from the page, in the page's language (data-t-*, visits/templates/visits/choose-prison.html).
    var t = prisonSelect.dataset
    var fill = function (text, values) {
      return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name] })
    }
    var options = {
      selectElement: prisonSelect,
      defaultValue: '',
      showAllValues: true,
      dropdownArrow: function () { return '' }
    }
    if (t.tNoResults) {
      options.tNoResults = function () { return t.tNoResults }
      options.tStatusQueryTooShort = function (n) { return fill(t.tQueryTooShort, { n: n }) }
      options.tStatusNoResults = function () { return t.tNoResults }
      options.tStatusSelectedOption = function (option, length, index) {
        return fill(t.tSelected, { option: option, index: index + 1, length: length })
      }
      options.tStatusResults = function (length, selected) {
        return (length === 1 ? t.tOneResult : fill(t.tResults, { n: length })) + ' ' + selected
      }
      options.tAssistiveHint = function () { return t.tAssistiveHint }
    }
    window.accessibleAutocomplete.enhanceSelectElement(options)
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
