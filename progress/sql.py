"""SQL functions of the counting: a person's age on a day, and the age class a value falls in."""

from __future__ import annotations

from django.db.models import Func, IntegerField


class AgeInYears(Func):
    """Age in completed years on `day` of someone born on `birth`: PostgreSQL's `age()`, the
    expression the raw aggregate uses (one function call per row, not six extracts and a CASE).

    The day before the 18th birthday gives 17, the birthday 18; someone born on 29 February
    turns a year older on 1 March in common years. NULL when either date is NULL.
    """

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        # Dates as plain timestamps, so that no session time zone (DST at midnight) shifts a day.
        (day, birth), params = self._compiled(compiler)
        return (
            f"CAST(date_part('year', age(CAST({day} AS timestamp), CAST({birth} AS timestamp))) AS integer)",
            params,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite (local development) has no age(): year difference, minus one before the birthday.
        (day, birth), params = self._compiled(compiler)
        sql = (
            f"(CAST(strftime('%%Y', {day}) AS integer) - CAST(strftime('%%Y', {birth}) AS integer)"
            f" - (strftime('%%m-%%d', {day}) < strftime('%%m-%%d', {birth})))"
        )
        return sql, params * 2

    def _compiled(self, compiler):
        day, day_params = compiler.compile(self.source_expressions[0])
        birth, birth_params = compiler.compile(self.source_expressions[1])
        return (day, birth), (*day_params, *birth_params)


class WidthBucket(Func):
    """Which interval between sorted integer `edges` holds the value: 1 from the first edge up to
    the second, …, 0 below the first edge and len(edges) from the last on (`width_bucket`)."""

    output_field = IntegerField()

    def __init__(self, expression, edges: list[int]):
        super().__init__(expression)
        self.edges = [int(edge) for edge in edges]

    def as_sql(self, compiler, connection, **extra_context):
        # The edges are integers of ours, written as a literal: the same text in SELECT and GROUP BY.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, ARRAY[{', '.join(map(str, self.edges))}])", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN {sql} < {edge} THEN {i}" for i, edge in enumerate(self.edges))
        return f"(CASE WHEN {sql} IS NULL THEN NULL {whens} ELSE {len(self.edges)} END)", params * (
            len(self.edges) + 1
        )
