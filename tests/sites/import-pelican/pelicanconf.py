import os
from common import *

AUTHOR = 'Desk'
SITENAME = 'Harbour News'
SITEURL = 'https://old.example.com'
PATH = 'content'
TIMEZONE = 'Europe/Berlin'
DEFAULT_LANG = 'en'

ARTICLE_URL = 'posts/{date:%Y}/{date:%m}/{slug}/'
ARTICLE_SAVE_AS = ARTICLE_URL + 'index.html'
PAGE_URL = 'pages/{slug}/'
PAGE_SAVE_AS = os.path.join('pages', '{slug}', 'index.html')
STATIC_PATHS = ['images', 'extra']
DEFAULT_DATE = compute_default_date()

if os.environ.get('DEBUG'):
    SITEURL = 'http://localhost:8000'
