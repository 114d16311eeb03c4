// GOV.UK Frontend's components, started on every page. A module, so browsers that cannot run GOV.UK Frontend's
// JavaScript never load it and get the plain pages, which work without it.
import { initAll } from '../vendor/govuk/govuk-frontend.min.js';

initAll()
