// Tell RequireJS where the vendored widget front ends live, so that
// @jupyter-widgets/html-manager never falls back to a CDN.
// Loaded after require.js and before embed-amd.js (see nb_ipywidgets_js in _config.yml).
(function () {
  var src = document.currentScript.src; // .../_static/adlessons-widgets.js
  var staticDir = src.slice(0, src.lastIndexOf("/") + 1);
  var htmlManager = staticDir + "html-manager";
  window.requirejs.config({
    paths: {
      // embed-amd.js defines the @jupyter-widgets/* modules itself, so these paths are
      // never fetched: webpack inside each module derives its asset folder (the Font
      // Awesome files next to embed-amd.js) from the module's URL, which they set.
      "@jupyter-widgets": htmlManager,
      "@jupyter-widgets/html-manager/dist": htmlManager,
      // anywidget's front end, an AMD module; each widget's own _esm is inline.
      anywidget: staticDir + "anywidget/index",
    },
  });
})();
