// Search excerpts over file:// (see book/_ext/offline_search.py): Sphinx's search page
// fetch()es each result's page for its excerpt, which a browser refuses for local files.
// Opened from disk, answer those requests from the page texts the build wrote into
// adlessons-search-pages.js; served over http(s), change nothing.
(function () {
  if (window.location.protocol !== "file:" || !window.fetch) return;
  var pages = window.ADLESSONS_SEARCH_PAGES || {};
  var realFetch = window.fetch.bind(window);
  window.fetch = function (resource, options) {
    var root = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
    var url = new URL(String(resource && resource.url ? resource.url : resource), window.location.href);
    var key = decodeURIComponent(url.pathname).slice(decodeURIComponent(root.pathname).length);
    if (url.protocol === "file:" && Object.prototype.hasOwnProperty.call(pages, key)) {
      return Promise.resolve(new Response(pages[key], { headers: { "Content-Type": "text/html" } }));
    }
    return realFetch(resource, options);
  };
})();
