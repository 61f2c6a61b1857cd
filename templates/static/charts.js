/* Longform — upgrades each chart's static SVG to the interactive Vega view, with tooltips.
   Every chart figure carries its Vega-Lite spec in <script type="application/json">. The view
   is drawn off-page first and swapped in only once vega-embed succeeds, so a failure (or no
   JavaScript at all) leaves the static SVG, which already reads in light and dark. */
(function () {
  "use strict";

  if (typeof window.vegaEmbed !== "function") {
    return;
  }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;

  document.querySelectorAll("figure.chart").forEach(upgrade);

  function upgrade(figure) {
    var view = figure.querySelector(".chart__view");
    var script = figure.querySelector("script.chart__spec");
    if (!view || !script) {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(script.textContent);
    } catch (error) {
      return; // keep the static chart
    }
    var target = document.createElement("div");
    target.className = "chart__interactive";
    var options = {
      actions: false,
      renderer: "svg", // SVG keeps currentColor text following the page's colour scheme
      defaultStyle: false,
      tooltip: { theme: dark ? "dark" : "light" },
    };
    window.vegaEmbed(target, spec, options).then(function () {
      view.replaceChildren(target);
      figure.classList.add("chart--interactive");
    }, function () {
      // Keep the static SVG: it shows the same chart, only without tooltips.
    });
  }
})();
