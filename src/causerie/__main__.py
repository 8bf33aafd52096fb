from causerie.cli.main import main

main(prog_name="causerie")
