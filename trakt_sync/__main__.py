from trakt_sync.cli.app import main

main()
