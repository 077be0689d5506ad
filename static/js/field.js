/* Field forms: beneficiary search, GPS position, photos shrunk before upload, one submit. */
(function () {
  "use strict";
  var searchUrl = "/field/beneficiaries/search/";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function attachSearch(input, onPick) {
    var list = document.createElement("div");
    list.className = "list-group autocomplete-list";
    input.parentNode.style.position = "relative";
    input.parentNode.appendChild(list);
    var lookup = debounce(function (term) {
      if (term.length < 2) { list.innerHTML = ""; return; }
      fetch(searchUrl + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (person) {
            var item = document.createElement("button");
            item.type = "button";
            item.className = "list-group-item list-group-item-action";
            item.textContent = person.code + " — " + person.name;
            item.addEventListener("click", function () { onPick(person.code); list.innerHTML = ""; });
            list.appendChild(item);
          });
        })
        .catch(function () { list.innerHTML = ""; });
    }, 250);
    return lookup;
  }

  document.querySelectorAll("input[data-beneficiary-search]").forEach(function (input) {
    var lookup = attachSearch(input, function (code) { input.value = code; });
    input.addEventListener("input", function () { lookup(input.value.trim()); });
  });

  document.querySelectorAll("textarea[data-beneficiary-list]").forEach(function (area) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-1";
    input.placeholder = area.getAttribute("data-placeholder") || "…";
    input.setAttribute("aria-label", "search");
    area.parentNode.insertBefore(input, area);
    var lookup = attachSearch(input, function (code) {
      var codes = area.value.split(/\s+/).filter(Boolean);
      if (codes.indexOf(code) < 0) { codes.push(code); }
      area.value = codes.join("\n");
      input.value = "";
    });
    input.addEventListener("input", function () { lookup(input.value.trim()); });
  });

  var geo = document.querySelector("[data-geolocate]");
  if (geo && navigator.geolocation) {
    geo.addEventListener("click", function () {
      var status = document.querySelector("[data-geolocate-status]");
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(5);
        document.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(5);
        if (status) { status.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5); }
      }, function (err) { if (status) { status.textContent = err.message; } }, { timeout: 15000 });
    });
  }

  /* Shrink photos to 1600 px before upload: a phone photo of 4 MB becomes ~300 KB. */
  document.querySelectorAll("input[type=file][accept^=image]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !window.createImageBitmap || !window.DataTransfer) { return; }
      createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < 1500000) { return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }));
          input.files = transfer.files;
        }, "image/jpeg", 0.8);
      }).catch(function () { /* keep the original: the server shrinks it */ });
    });
  });

  /* A form is sent once: a second tap while the first is on its way does nothing. */
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
