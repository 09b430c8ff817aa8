// Swagger UI for logged-in operators: the OpenAPI document and every "Try it out" call carry the
// access token of the console's session (sessionStorage, the same tab), like the console's own calls.
(function () {
  "use strict";
  var SESSION = "atende.console.session";
  var status = document.getElementById("status");

  function token() {
    try {
      var session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
      return session && session.access_token;
    } catch (error) {
      return null;
    }
  }

  function loginFirst(text) {
    status.textContent = text + " ";
    var link = document.createElement("a");
    link.href = "/console/";
    link.textContent = "Entrar no console";
    status.appendChild(link);
  }

  if (!token()) {
    loginFirst("Entre no console nesta aba para ver a documentação da API.");
    return;
  }
  SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
    requestInterceptor: function (request) {
      var current = token();
      if (current) request.headers.Authorization = "Bearer " + current;
      return request;
    },
    onComplete: function () {
      status.textContent = "";
    },
    responseInterceptor: function (response) {
      if (response.status === 401 && response.url.indexOf("/openapi.json") !== -1) {
        loginFirst("A sessão expirou.");
      }
      return response;
    },
  });
})();
