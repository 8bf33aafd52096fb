from causerie.cli.main import main

main()
