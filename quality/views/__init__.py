"""Pages for monthly returns, one module per audience; each module declares its own urlpatterns."""
