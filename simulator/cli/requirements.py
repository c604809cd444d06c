"""Write the loosest Requirements that is safe for a program, from what the program really needs.

Reads ELF executables and shared libraries (highest GLIBC_ symbol version,
minimum kernel from the ABI tag, architecture, the x86-64 level from the
property note or else the instructions, static or not, what they ask of
libstdc++ and other versioned libraries, and the libraries shipped with them),
Java class files and JARs (highest class-file version ->
JavaSpecificationVersion), scripts (the #! interpreter, noted only) and
container images (a SIF file or a sandbox directory: the OS release inside,
and the container, Arch, kernel and level clauses). Prints the expression,
the optional clauses only the OS release can state, and the facts behind
them. With --pool, compares its match rate with the ladder's profiles (the
exact release among them), counts the slots each profile accepts that cannot
run the program, and the slots each clause keeps on its own.

--format json prints the expression, the facts, the notes and the rates
("pool": one record per profile and snapshot); --format csv prints those rate
records, the loosest safe requirements ("needs") first in each snapshot, or
that one row alone without --pool.

examples:
  tribes requirements ./a.out
  tribes requirements ./a.out lib/libfoo.so analysis.jar --pool pool_2010
  tribes requirements Hello.class --pool store/ --format json
  tribes requirements image.sif --pool modern
"""

from __future__ import annotations

from simulator.cli.options import (
    add_command,
    add_format_option,
    add_pool_option,
    add_quiet_option,
    add_template_option,
    show_progress,
)


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    parser.add_argument("programs", nargs="+", metavar="PROGRAM",
                        help="executables, shared libraries, .class files, JARs or scripts; or one "
                             "container image (a .sif file or a sandbox directory)")
    add_pool_option(parser, None, "also show match rates on this pool: ")
    add_template_option(parser, "job ad the requirements go into when matching")
    parser.add_argument(
        "--reference", default=None, metavar="NAME",
        help="the slot the ladder's profiles copy (default: the pool's most common tribe)",
    )  # fmt: skip
    add_format_option(parser, what="the requirements and match rates")
    add_quiet_option(parser)


def run(args) -> int:
    from simulator.analyses.needs.verdict import needs
    from simulator.render.needs import clause_table, rate_records, table, time_table
    from simulator.render.output import write_csv, write_json

    verdict = needs(args.programs, pool=args.pool, template=args.template,
                    reference=args.reference, progress=show_progress(args))
    if args.format == "json":
        write_json(verdict.as_record())
        return 0
    if args.format == "csv":
        write_csv(rate_records(verdict))
        return 0
    print("Loosest safe requirements:")
    print(f"    {verdict.requirements}")
    print()
    if verdict.optional:
        print("Optional clauses (no slot attribute states these needs; the OS release does, "
              "for the releases tribes knows):")
        for clause, why in verdict.optional:
            print(f"    {clause}")
            print(f"        {why}")
        print()
    print("What the programs need:")
    for fact in verdict.facts:
        print(f"    {fact}")
    if verdict.rates:
        several = len({(r.time, r.source) for r in verdict.rates}) > 1
        print()
        print(time_table(verdict.rates) if several else table(verdict.rates))
        print()
        print(clause_table(verdict.clause_counts))
        for note in verdict.notes:
            print(f"note: {note}")
    return 0
