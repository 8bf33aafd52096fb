from causerie.cli.occ import main

main(prog_name="occ")
