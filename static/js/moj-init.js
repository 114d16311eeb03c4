// MOJ Frontend's components, started on every staff page (after GOV.UK Frontend's, js/govuk-init.js).
import { initAll } from '../vendor/moj/moj-frontend.min.js';

initAll()
