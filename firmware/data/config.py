# Buttonhook settings (the tutorial's config.py). Edit, then upload with
#   pio run -e d1_mini -t uploadfs
# Full reference: firmware/core/config.h. Keep this file under 2 KB.

WIFI_SSID = 'your SSID'                # the router's network name, exactly
WIFI_PASSWORD = 'your Wi-Fi password'  # 8..63 chars, '' if open; never printed
# IFTTT Maker Webhooks or your own hub; the key is a secret.
WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/YOUR_KEY'
BUTTON_ID = 'micropython1'             # sent as value1: names this button

LED_PIN = 2     # D4, module LED, lit when low
LED2_PIN = 16   # D0, NodeMCU LED (none on a D1 mini); with the D0->RST
                # wire use another pin, e.g. 13 (D7): D0 low resets the board
DEBUG_PIN = 14  # D5: jumper to GND = stay awake (debug mode)

# Optional, defaults shown.
WIFI_TIMEOUT = 15       # s to wait for Wi-Fi
HTTP_TIMEOUT = 10       # s for the connect and each read
TIMED_WAKE = False      # True only with the D0->RST wire (LEDs off D0): retry
                        # failed presses on a timer (30 s, 2 min, 10 min, hourly)
PRESS_SENSE_PIN = None  # GPIO low while the button is held at boot (4/5/12/13)
MAX_ATTEMPTS = 8        # delivery rounds before a press is dropped
MAX_AGE = 86400         # s before a waiting press is dropped

# Static address: no DHCP on each press (faster). GATEWAY is then required.
# STATIC_IP = '192.168.1.50'
# GATEWAY = '192.168.1.1'
# NETMASK = '255.255.255.0'
# DNS = '192.168.1.1'       # default: GATEWAY
# REUSE_LEASE = True        # False: ask DHCP on every press (~1.1 s more)

# https:// webhooks: how to check the server (one of these). The TLS session
# is kept in RTC memory and resumed on the next press (0.39 s, not 2.04 s).
# TLS_CA = 'ca.pem'         # the CA's certificate (PEM), uploaded beside config.py
# TLS_FINGERPRINT = 'AB:CD:...'  # SHA-1 of the server's certificate (40 hex digits)
# TLS_INSECURE = True       # no checks at all: testing only
