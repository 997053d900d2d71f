import { initAll } from "../nhsuk/js/nhsuk-frontend.min.js";

initAll();
