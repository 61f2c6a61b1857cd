/* tinylib 0.3.1 — a vendored helper the old theme used for footnote popovers. */
(function(){"use strict";window.tinylib={version:"0.3.1"};})();
