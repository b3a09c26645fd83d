"""Any OpenAPI 3.0 spec served statefully with no code (``mockserver run --spec FILE``).

``source`` reads and prepares the spec, ``inference`` finds its resources and places every
operation (``model``), ``data`` seeds the records from the schemas with Faker, ``records`` keeps
them, ``answers`` shapes what is answered (and the API's documented error shape), ``handlers``
binds the operations, ``auth`` gives the demo credentials, ``state`` and ``definition`` make it an
API like the hand-built ones, and ``explain`` shows the model to its user.
"""
