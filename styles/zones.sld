<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <Name>{{layer}}</Name>
    <UserStyle>
      <Name>{{style}}</Name>
      <Title>{{title}}</Title>
      <FeatureTypeStyle>
        <Rule>
          <Name>target</Name>
          <Title>Target</Title>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone</ogc:PropertyName><ogc:Literal>target</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#d73027</CssParameter><CssParameter name="fill-opacity">0.43</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#a50026</CssParameter><CssParameter name="stroke-width">2</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>buffer</Name>
          <Title>Buffer (where crime may move to)</Title>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone</ogc:PropertyName><ogc:Literal>buffer</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#f46d43</CssParameter><CssParameter name="fill-opacity">0.3</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#f46d43</CssParameter><CssParameter name="stroke-width">1.4</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>control</Name>
          <Title>Control</Title>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone</ogc:PropertyName><ogc:Literal>control</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#4575b4</CssParameter><CssParameter name="fill-opacity">0.16</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#313695</CssParameter><CssParameter name="stroke-width">1.4</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>control buffer</Name>
          <Title>Control's buffer</Title>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone</ogc:PropertyName><ogc:Literal>control buffer</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Stroke><CssParameter name="stroke">#4575b4</CssParameter><CssParameter name="stroke-width">1.4</CssParameter><CssParameter name="stroke-dasharray">6 3</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
